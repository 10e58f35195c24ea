/**
 * Stream ids are the SSE event ids; their rules live with the kit's SSE hub, which orders and
 * validates them for every service.
 */
export { compareStreamIds, isStreamId, STREAM_ID_PATTERN } from '@homeward/service-kit';
