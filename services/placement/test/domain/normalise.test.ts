import { describe, expect, it } from 'vitest';
import {
  buyerKey,
  familyName,
  isFamilyMember,
  matchBuyer,
  normalise,
  sameAddress,
} from '../../src/domain/normalise.ts';

describe('names and addresses compared as written by different officers', () => {
  it('drop symbols as well as punctuation and spaces', () => {
    expect(normalise('Zhang+San ¥ №3')).toBe('zhangsanno3');
    expect(normalise('长江西路12号#3')).toBe('长江西路12号3');
  });

  it('tell a family name whatever surrounds the name, and nothing from a name in another script', () => {
    expect(familyName('  Zhang  San ')).toBe('zhang');
    expect(familyName(' 赵四 ')).toBe('赵');
    expect(familyName('赵四。')).toBe('赵');
    expect(familyName('Zhang, San')).toBe('zhang');
    expect(familyName('A赵四')).toBe('');
    expect(familyName('司马光')).toBe('司马');
    expect(familyName('马光')).toBe('马');
  });

  it('take an address for the same place whichever is written more fully, never two blanks', () => {
    expect(sameAddress('安徽省六安市裕安区三村路8号', '三村路8号')).toBe(true);
    expect(sameAddress('村路8号', '安徽省六安市裕安区三村路8号')).toBe(false);
    expect(sameAddress('...', '!!')).toBe(false);
    expect(sameAddress('三村路9号', '安徽省六安市裕安区三村路8号')).toBe(false);
  });
});

describe('who belongs to a buying household', () => {
  const head = { headName: 'Wang Wu', address: '安徽省六安市裕安区三村路8号' };

  it('anyone at its address, named "name and address" only when the head’s name matches', () => {
    expect(
      matchBuyer({ name: '—', address: '安徽省六安市裕安区三村路8号' }, [{ ...head, headName: '!!' }]),
    ).toEqual({
      by: 'address',
      index: 0,
    });
    expect(matchBuyer({ name: 'wang-wu', address: '安徽省 六安市 裕安区 三村路8号' }, [head])).toEqual({
      by: 'name-and-address',
      index: 0,
    });
  });

  it('never a guardian whose name is blank, by a member blank too, nor a family name nobody can tell', () => {
    const withBlankMember = { ...head, address: 'elsewhere', members: [{ name: '—' }] };
    expect(matchBuyer({ name: '...', address: 'Hefei' }, [withBlankMember])).toBeUndefined();
    // Neither "Li" nor "Wu" (one word each, not in Han characters) says a family name.
    expect(
      matchBuyer({ name: 'Li', address: '六安市裕安区三村路8号' }, [{ ...head, headName: 'Wu' }]),
    ).toBeUndefined();
  });

  it('says which of several households matched', () => {
    const other = { headName: 'Zhao Liu', address: 'Hefei, 1 Lake Road', idNumber: '340104197001011234' };
    expect(matchBuyer({ name: 'x', address: 'y', idNumber: '340104197001011234' }, [head, other])).toEqual({
      by: 'id-number',
      index: 1,
    });
    expect(matchBuyer({ name: 'x', address: 'y' }, [head, other])).toBeUndefined();
  });

  it('by a member’s identity number, not by a member recorded without one', () => {
    const household = {
      ...head,
      members: [{ name: 'Wang Er' }, { name: 'Wang San', idNumber: '341502200001011234' }],
    };
    expect(matchBuyer({ name: 'x', address: 'y', idNumber: '341502200001011234' }, [household])?.by).toBe(
      'id-number',
    );
    expect(matchBuyer({ name: 'Wang Er', address: 'y' }, [household])?.by).toBe('member');
    expect(matchBuyer({ name: 'x', address: 'y', idNumber: '1' }, [household])).toBeUndefined();
  });
});

describe('who is of the identified family', () => {
  const family = [{ name: 'Li Jianguo' }];

  it('a guardian with an identity number, by name when the family member has none', () => {
    expect(isFamilyMember({ name: 'Li Jianguo', address: 'x', idNumber: '340104198001011234' }, family)).toBe(
      true,
    );
    expect(isFamilyMember({ name: 'Li Jian', address: 'x', idNumber: '340104198001011234' }, family)).toBe(
      false,
    );
  });
});

describe('one household recorded twice', () => {
  it('has one key however its head, address and identity number are written, and another with another number', () => {
    const a = buyerKey({ headName: 'Wang Wu', address: '3 Hill Road', idNumber: '34010419800101123x' });
    expect(buyerKey({ headName: 'WANG-WU', address: '3, Hill Road', idNumber: '340104 19800101 123X' })).toBe(
      a,
    );
    expect(
      buyerKey({ headName: 'Wang Wu', address: '3 Hill Road', idNumber: '34010419800101124x' }),
    ).not.toBe(a);
    expect(buyerKey({ headName: 'Wang Wu', address: '3 Hill Road' })).not.toBe(a);
  });
});
