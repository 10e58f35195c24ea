/** A household recorded at rescue as the one that bought the child. */
export interface BuyerHousehold {
  headName: string;
  address: string;
  idNumber?: string;
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
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

export type BuyerMatch = { by: 'id-number' | 'name-and-address' | 'address'; index: number };

/**
 * Whether a guardian belongs to a buying household: the same identity number (both given,
 * equal after normalisation), or the same normalised address, whoever lives there (DESIGN: "its
 * head, its members, anyone at its address"; members are not recorded by name, so the address is
 * what finds them). A match on the head's name as well is reported as `name-and-address`. A
 * field that normalises to nothing never matches.
 */
export function matchBuyer(
  guardian: GuardianIdentity,
  buyers: readonly BuyerHousehold[],
): BuyerMatch | undefined {
  const gId = guardian.idNumber ? normalise(guardian.idNumber) : '';
  const gName = normalise(guardian.name);
  const gAddress = normalise(guardian.address);
  for (const [index, b] of buyers.entries()) {
    const bId = b.idNumber ? normalise(b.idNumber) : '';
    if (gId !== '' && gId === bId) return { by: 'id-number', index };
    if (gAddress !== '' && gAddress === normalise(b.address)) {
      return { by: gName !== '' && gName === normalise(b.headName) ? 'name-and-address' : 'address', index };
    }
  }
  return undefined;
}

/** A key to keep one copy of each buyer household recorded (redelivered or repeated rescues). */
export function buyerKey(b: BuyerHousehold): string {
  return [normalise(b.headName), normalise(b.address), b.idNumber ? normalise(b.idNumber) : ''].join('|');
}
