import * as assert from 'node:assert/strict';
import { hashFingerprint, redactSecrets } from '../../../src/common/redact';
import { checkGraphRoot, isLoopbackHost } from '../../../src/graph/endpoint';
import { parseGraphErrorBody } from '../../../src/graph/errors';
import { sameSerial, serialContainsFilter } from '../../../src/graph/serialFilter';
import { fakeHardwareHash } from '../../emulator/hashes';

describe('redaction', () => {
  const hash = fakeHardwareHash('redact');

  it('hides hashes, tokens and product keys, and keeps ids and paths', () => {
    const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const text = `hash ${hash} token ${jwt} key ABCDE-12345-FGHIJ-67890-KLMNO id 179032cb-32cb-1790-cb32-9017cb329017 path deviceManagement/importedWindowsAutopilotDeviceIdentities/import`;
    const redacted = redactSecrets(text);
    assert.ok(!redacted.includes(hash.slice(0, 20)));
    assert.ok(!redacted.includes('eyJhdWQi'));
    assert.ok(!redacted.includes('ABCDE-12345'));
    assert.match(redacted, /179032cb-32cb-1790-cb32-9017cb329017/);
    assert.match(redacted, /deviceManagement\/importedWindowsAutopilotDeviceIdentities\/import/);
  });

  it("removes the literal Graph quotes in its Edm.Binary 400, even a short one, but remembers whose it was", () => {
    const body = { error: { code: 'BadRequest', message: "Cannot convert the literal 'aGFyZHdhcmVJZGVudGlmaWVy' to the expected type 'Edm.Binary'." } };
    const parsed = parseGraphErrorBody(body, 'Bad Request');
    assert.equal(parsed.message, "Cannot convert the literal '<redacted 24 chars>' to the expected type 'Edm.Binary'.");
    assert.equal(parsed.offendingValueFingerprint, hashFingerprint('aGFyZHdhcmVJZGVudGlmaWVy'));
  });

  it('unwraps Intune messages that carry JSON inside error.message', () => {
    const message = JSON.stringify({ _version: 3, Message: 'Application is not authorized - Operation ID (for customer support): 1 - Activity ID: 2', RetryAfter: null });
    assert.equal(parseGraphErrorBody({ error: { code: 'Forbidden', message } }, 'Forbidden').message, 'Application is not authorized');
    assert.equal(parseGraphErrorBody(undefined, 'Service Unavailable').code, 'Service Unavailable');
  });

  it('fingerprints hashes stably and shortly', () => {
    assert.match(hashFingerprint(hash), /^[0-9a-f]{8}$/);
    assert.equal(hashFingerprint(` ${hash} `), hashFingerprint(hash));
    assert.notEqual(hashFingerprint(hash), hashFingerprint(fakeHardwareHash('other')));
  });
});

describe('Graph root safety', () => {
  it('knows loopback hosts', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['example.com', '10.0.0.1', '127.0.0.1.nip.io', '0.0.0.0']) assert.ok(!isLoopbackHost(host), host);
  });

  it('accepts https and loopback http roots, and nothing else', () => {
    assert.equal(checkGraphRoot('https://graph.microsoft.us/').href, 'https://graph.microsoft.us/');
    assert.equal(checkGraphRoot('https://proxy.contoso.com/graph/').pathname, '/graph');
    assert.throws(() => checkGraphRoot('http://graph.microsoft.com'), /plain-http/);
    assert.throws(() => checkGraphRoot('ftp://graph.microsoft.com'), /not an http/);
    assert.throws(() => checkGraphRoot('https://user:pw@graph.microsoft.com'), /credentials/);
    assert.throws(() => checkGraphRoot('nonsense'), /not a valid/);
  });
});

describe('serial filters', () => {
  it('avoids the hyphen and eq quirks and escapes quotes', () => {
    assert.equal(serialContainsFilter('5CG1234XYZ'), "contains(serialNumber,'5CG1234XYZ')");
    assert.equal(serialContainsFilter('ec2a1bbf-7e9f-45f0-f404-bec2e9da6f35'), "contains(serialNumber,'bec2e9da6f35')");
    assert.equal(serialContainsFilter('To Be Filled By O.E.M.'), "contains(serialNumber,'Filled')");
    assert.equal(serialContainsFilter("O'Neil"), "contains(serialNumber,'O''Neil')");
    assert.equal(serialContainsFilter(' - '), undefined);
  });

  it('compares serials exactly, ignoring case and blanks', () => {
    assert.ok(sameSerial(' abc1 ', 'ABC1'));
    assert.ok(!sameSerial('ABC1', 'ABC12'));
    assert.ok(!sameSerial(null, 'ABC1'));
  });
});
