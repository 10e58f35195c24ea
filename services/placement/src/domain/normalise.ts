/** A person police recorded as living in a buying household besides its head. */
export interface HouseholdMember {
  name: string;
  idNumber?: string;
  relation?: string;
}

/** A household recorded at rescue as the one that bought the child. */
export interface BuyerHousehold {
  headName: string;
  address: string;
  idNumber?: string;
  members?: HouseholdMember[];
}

/** A person proposed as the child's guardian. */
export interface GuardianIdentity {
  name: string;
  address: string;
  idNumber?: string;
}

/**
 * The comparison form of a name, an address or an identity number: Unicode NFKC (full-width
 * letters and digits become ASCII, compatibility forms fold), lower case, and every whitespace,
 * punctuation and symbol character removed (`\s`, `\p{P}`, `\p{S}`), so "Zhang San", "zhang-san"
 * and "ＺＨＡＮＧ　ＳＡＮ" compare equal, as do "合肥市蜀山区，长江西路12号" and "合肥市 蜀山区 长江西路 12 号".
 */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');
}

export type BuyerMatch = {
  by: 'id-number' | 'name-and-address' | 'address' | 'member' | 'family-name-at-address';
  index: number;
};

/** Two-character family names (复姓) common enough to tell from a given name's first character. */
const COMPOUND_SURNAMES = new Set(
  '欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 轩辕 端木 南宫 西门 独孤 澹台 公冶 宗政 濮阳 太史 申屠 呼延 万俟 闻人 赫连 钟离'.split(
    ' ',
  ),
);

/**
 * The family name of a name written family name first, as Chinese names are: the first word of
 * a name written in words ("Zhang San" → "zhang"), the first character of one written in Han
 * characters (two for a compound surname: 欧阳娜娜 → 欧阳). Empty when it cannot be told.
 */
export function familyName(name: string): string {
  // Splitting leaves an empty word at either end or between two separators: dropped, so that
  // neither surrounding spaces nor a run of separators counts as a word.
  const text = name.normalize('NFKC');
  const words = text.split(/[\s\p{P}]/u).filter((w) => w !== '');
  if (words.length > 1) return normalise(words[0]!);
  const one = normalise(text);
  if (!/^\p{Script=Han}/u.test(one)) return '';
  return COMPOUND_SURNAMES.has(one.slice(0, 2)) ? one.slice(0, 2) : one.slice(0, 1);
}

/** Addresses short enough to be contained in many others are not compared by containment. */
const MIN_PARTIAL_ADDRESS = 5;

/**
 * The same place written more or less fully: one normalised address is the other, or contains
 * it ("长江西路12号" in "安徽省合肥市蜀山区长江西路12号"), the shorter one long enough to mean something.
 */
export function sameAddress(a: string, b: string): boolean {
  const x = normalise(a);
  const y = normalise(b);
  if (x === '' || y === '') return false;
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return short.length >= MIN_PARTIAL_ADDRESS && long.includes(short);
}

/**
 * Whether a guardian belongs to a buying household (DESIGN: "its head, its members, anyone at
 * its address"), in order: the same identity number as its head or a member (both given, equal
 * after normalisation); the same normalised address, whoever lives there (`name-and-address`
 * when the head's name matches too); a recorded member's name; the household's family name at
 * its address written more or less fully. A field that normalises to nothing never matches.
 */
export function matchBuyer(
  guardian: GuardianIdentity,
  buyers: readonly BuyerHousehold[],
): BuyerMatch | undefined {
  const gId = guardian.idNumber ? normalise(guardian.idNumber) : '';
  const gName = normalise(guardian.name);
  const gAddress = normalise(guardian.address);
  const gFamily = familyName(guardian.name);
  for (const [index, b] of buyers.entries()) {
    const members = b.members ?? [];
    const ids = [b.idNumber, ...members.map((m) => m.idNumber)].map((i) => (i ? normalise(i) : ''));
    if (gId !== '' && ids.includes(gId)) return { by: 'id-number', index };
    if (gAddress !== '' && gAddress === normalise(b.address)) {
      return { by: gName !== '' && gName === normalise(b.headName) ? 'name-and-address' : 'address', index };
    }
    if (gName !== '' && members.some((m) => normalise(m.name) === gName)) return { by: 'member', index };
    if (gFamily !== '' && gFamily === familyName(b.headName) && sameAddress(guardian.address, b.address))
      return { by: 'family-name-at-address', index };
  }
  return undefined;
}

/**
 * The households a guardian is checked against: every buying household recorded, and the
 * current guardian an unidentified-child report named (the child was found living with them),
 * treated as part of that household unless police cleared them.
 */
export function householdsToRefuse(facts: {
  buyerHouseholds: readonly BuyerHousehold[];
  currentGuardian?: { name: string; address: string } | undefined;
  currentGuardianCleared?: unknown;
}): BuyerHousehold[] {
  const cg = facts.currentGuardian;
  if (!cg || facts.currentGuardianCleared) return [...facts.buyerHouseholds];
  return [...facts.buyerHouseholds, { headName: cg.name, address: cg.address }];
}

/**
 * Whether a guardian is one of the identified family: the same identity number (both given),
 * or, when the two do not both have one, the same normalised name. Two identity numbers that
 * differ are two people, whatever their names.
 */
export function isFamilyMember(
  guardian: GuardianIdentity,
  family: ReadonlyArray<{ name: string; idNumber?: string }>,
): boolean {
  const gId = guardian.idNumber ? normalise(guardian.idNumber) : '';
  const gName = normalise(guardian.name);
  return family.some((p) => {
    const pId = p.idNumber ? normalise(p.idNumber) : '';
    if (gId !== '' && pId !== '') return gId === pId;
    return gName !== '' && gName === normalise(p.name);
  });
}

/** A key to keep one copy of each buyer household recorded (redelivered or repeated rescues). */
export function buyerKey(b: BuyerHousehold): string {
  return [normalise(b.headName), normalise(b.address), b.idNumber ? normalise(b.idNumber) : ''].join('|');
}
