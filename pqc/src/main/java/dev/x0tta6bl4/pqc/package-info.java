/**
 * Everything cryptographic in meshd: provider setup and the version lock, known-answer
 * self-tests, identities, the mesh certificate authority, SPIFFE X.509-SVIDs, the hybrid
 * post-quantum TLS context factory and signed envelopes. A leaf module: it depends on no
 * other meshd module.
 */
package dev.x0tta6bl4.pqc;
