export {
  startReceiver,
  type AuditEntry,
  type ReceivedEvent,
  type ReceiverOptions,
  type ReceiverRoute,
  type RunningReceiver,
} from './receiver.js';
export { DEFAULT_SIGNATURE_HEADER, signBody, verifySignature, type SignatureEncoding } from './signature.js';
export { receiverConfigSchema, type ReceiverConfig } from './options.js';
