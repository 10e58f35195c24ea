// The division-code hierarchy is the contract's: one implementation in @homeward/events.
export { REGION_PATTERN, regionPrefix } from '@homeward/events';
