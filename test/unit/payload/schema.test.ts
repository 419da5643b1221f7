import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasErrors, parsePayloadText } from '../../../src/payload/api';
import { HASH, HASH2 } from './fixtures';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'autopilot-import.schema.json'), 'utf8'));
const device = schema.definitions.device;

/** The seed's example request body, exactly as the Graph documentation page gives it. */
const SEED_REQUEST = `{
  "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
  "orderIdentifier": "Order Identifier value",
  "groupTag": "Group Tag value",
  "serialNumber": "Serial Number value",
  "productKey": "Product Key value",
  "importId": "Import Id value",
  "hardwareIdentifier": "aGFyZHdhcmVJZGVudGlmaWVy",
  "state": {
    "@odata.type": "microsoft.graph.importedWindowsAutopilotDeviceIdentityState",
    "deviceImportStatus": "String",
    "deviceRegistrationId": "Device Registration Id value",
    "deviceErrorCode": 15,
    "deviceErrorName": "Device Error Name value"
  },
  "assignedUserPrincipalName": "Assigned User Principal Name value"
}`;

/** The seed's example response: the request plus the id Graph assigned. */
const SEED_RESPONSE = SEED_REQUEST.replace('{\n', '{\n  "id": "179032cb-32cb-1790-cb32-9017cb329017",\n');

/** The import action's documented example body (v1.0). */
const IMPORT_EXAMPLE = `{ "importedWindowsAutopilotDeviceIdentities": [ {
    "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
    "groupTag": "Group Tag value", "serialNumber": "Serial Number value", "productKey": "Product Key value", "importId": "Import Id value",
    "hardwareIdentifier": "aGFyZHdhcmVJZGVudGlmaWVy",
    "state": { "@odata.type": "microsoft.graph.importedWindowsAutopilotDeviceIdentityState",
               "deviceImportStatus": "pending", "deviceRegistrationId": "Device Registration Id value", "deviceErrorCode": 15, "deviceErrorName": "Device Error Name value" },
    "assignedUserPrincipalName": "Assigned User Principal Name value" } ] }`;

describe('schemas/autopilot-import.schema.json', () => {
  it("accepts the seed's example request body without errors, warning only about what is only a suggestion", () => {
    const result = parsePayloadText(SEED_REQUEST, 'seed.autopilot.json');
    assert.equal(hasErrors(result), false, JSON.stringify(result.problems, null, 1));
    assert.deepEqual(
      result.problems.map((problem) => [problem.code, problem.line]),
      [
        ['deprecated-property', 3],
        ['hash-too-short', 8],
        ['unknown-import-status', 11],
        ['upn-format', 16],
      ],
    );
    assert.equal(result.devices.length, 1);
    assert.equal(result.devices[0]!.groupTag, 'Group Tag value');
  });

  it("accepts the seed's example response and the import action's example body without errors", () => {
    for (const [name, text] of [
      ['response', SEED_RESPONSE],
      ['import', IMPORT_EXAMPLE],
    ] as const) {
      const result = parsePayloadText(text, `${name}.autopilot.json`);
      assert.equal(hasErrors(result), false, `${name}: ${result.problems.map((p) => p.code).join(', ')}`);
      assert.equal(result.devices.length, 1);
    }
  });

  it('accepts the three shapes: one device, an array, and the import body', () => {
    const one = { serialNumber: 'A1', hardwareIdentifier: HASH };
    const two = { serialNumber: 'A2', hardwareIdentifier: HASH2 };
    for (const document of [one, [one, two], { importedWindowsAutopilotDeviceIdentities: [one, two] }]) {
      const result = parsePayloadText(JSON.stringify(document, null, 2), 'shapes.autopilot.json');
      assert.deepEqual(result.problems, []);
      assert.equal(result.devices.length, Array.isArray(document) || 'importedWindowsAutopilotDeviceIdentities' in document ? 2 : 1);
    }
  });

  it("describes every property of the seed's table for a newcomer", () => {
    const seedTable = ['id', 'orderIdentifier', 'groupTag', 'serialNumber', 'productKey', 'importId', 'hardwareIdentifier', 'state', 'assignedUserPrincipalName'];
    for (const name of [...seedTable, '@odata.type']) {
      const property = name === 'state' ? schema.definitions.state : device.properties[name];
      assert.ok(property, `${name} is missing`);
      assert.ok(typeof property.markdownDescription === 'string' && property.markdownDescription.length > 40, `${name} has no real markdownDescription`);
    }
    for (const name of ['deviceImportStatus', 'deviceRegistrationId', 'deviceErrorCode', 'deviceErrorName', '@odata.type']) {
      assert.ok(schema.definitions.state.properties[name].markdownDescription, `state.${name} has no markdownDescription`);
    }
    assert.deepEqual(device.required, ['serialNumber', 'hardwareIdentifier']);
    assert.equal(device.additionalProperties, false);
  });

  it('marks orderIdentifier deprecated in favour of groupTag, and types the state as Graph does', () => {
    assert.match(device.properties.orderIdentifier.deprecationMessage, /groupTag/);
    const state = schema.definitions.state.properties;
    assert.deepEqual(state.deviceImportStatus.enum, ['unknown', 'pending', 'partial', 'complete', 'error']);
    assert.equal(state.deviceImportStatus.enumDescriptions.length, 5);
    assert.equal(state.deviceErrorCode.type, 'integer');
  });

  it('offers snippets for a new device and a new file: unfilled they say what to fill in, filled in they are valid', () => {
    const fill = (body: unknown) =>
      JSON.stringify(body)
        .replace(/\$\{\d+:<hardware hash>\}/g, HASH)
        .replace(/\$\{\d+:<serial number>\}/g, 'PF1ABC23')
        .replace(/\$\{\d+:<([^}>]*)>\}/g, '$1')
        .replace(/\$\{\d+\}/g, 'Sales');
    const unfilled = (body: unknown) => JSON.stringify(body).replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\}/g, '');
    const snippets = [...schema.defaultSnippets, ...device.defaultSnippets, ...schema.definitions.deviceList.defaultSnippets];
    assert.ok(schema.defaultSnippets.some((snippet: { label: string }) => /new import file/i.test(snippet.label)));
    assert.ok(device.defaultSnippets.some((snippet: { label: string }) => /new autopilot device/i.test(snippet.label)));
    for (const snippet of snippets) {
      const result = parsePayloadText(fill(snippet.body), 'snippet.autopilot.json');
      assert.deepEqual(result.problems, [], `${snippet.label}: ${JSON.stringify(result.problems)}`);
      // As inserted, each placeholder is one "fill this in" problem and nothing else (no hash or serial complaint).
      const fresh = parsePayloadText(unfilled(snippet.body), 'snippet.autopilot.json');
      assert.ok(fresh.problems.length >= 2, snippet.label);
      assert.deepEqual([...new Set(fresh.problems.map((problem) => problem.code))], ['template-placeholder'], `${snippet.label}: ${JSON.stringify(fresh.problems)}`);
    }
  });

  it('refuses CSV-style names and suggests the Graph name, with a rename fix', () => {
    const text = `{ "Device Serial Number": "A1", "Hardware Hash": "${HASH}", "Group Tag": "Sales", "Assigned User": "a@b.com", "Windows Product ID": "" }`;
    const result = parsePayloadText(text, 'csv-style.autopilot.json');
    const renames = result.problems.map((problem) => [problem.code, problem.fix?.edits[0]?.newText]);
    assert.deepEqual(renames, [
      ['csv-style-property', 'serialNumber'],
      ['csv-style-property', 'hardwareIdentifier'],
      ['csv-style-property', 'groupTag'],
      ['csv-style-property', 'assignedUserPrincipalName'],
      ['csv-style-property', 'productKey'],
    ]);
    assert.match(result.problems[0]!.message, /"serialNumber"/);
  });

  it('suggests the intended name for a near miss, and lists the names otherwise', () => {
    const result = parsePayloadText(`{ "serialNumber": "A1", "hardwareIdentifier": "${HASH}", "GroupTag ": "x", "assignedTo": "y" }`, 'x.autopilot.json');
    const [nearMiss, unknown] = result.problems;
    assert.match(nearMiss!.message, /did you mean "groupTag"/);
    assert.equal(nearMiss!.fix?.edits[0]?.newText, 'groupTag');
    assert.match(unknown!.message, /Use one of: .*serialNumber/);
    assert.equal(unknown!.fix, undefined);
  });

  it('keeps every validation rule in the schema: the validator has no property names of its own', () => {
    const rules = fs.readFileSync(path.join(root, 'src', 'payload', 'schemaRules.ts'), 'utf8');
    for (const name of ['serialNumber', 'hardwareIdentifier', 'groupTag', 'assignedUserPrincipalName', 'deviceImportStatus']) {
      const mentions = rules.match(new RegExp(`'${name}'`, 'g')) ?? [];
      assert.equal(mentions.length, 0, `schemaRules.ts names '${name}'`);
    }
  });
});
