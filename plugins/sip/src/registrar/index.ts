/** The RFC 3261 registrar and the address-of-record rules it files bindings under. */
export { Registrar, type RegistrarOptions, type RegisterOutcome } from './registrar';
export { canonicalAor } from './aor';
