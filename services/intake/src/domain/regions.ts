// The division-code hierarchy is the contract's: one implementation in @homeward/events.
export { isKnownProvince, prefectureOf } from '@homeward/events';
