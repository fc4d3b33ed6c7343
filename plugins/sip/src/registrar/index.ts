/** The RFC 3261 registrar and the address-of-record rules it files bindings under. */
export { Registrar, type RegistrarOptions, type RegisterOutcome, type RegisterRefusal, MAX_CONTACT_URI_BYTES, MAX_CALL_ID_BYTES, MAX_AOR_BYTES } from './registrar';
export { canonicalAor } from './aor';
