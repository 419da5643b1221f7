import * as assert from 'node:assert/strict';
import { endpointsFor } from '../../../src/cli/session';
import { graphDefaultScope, resolveCloud } from '../../../src/graph/clouds';

describe('clouds', () => {
  it('pairs each national cloud with its authority, Graph root and scope resource', () => {
    const table = (['global', 'usgov', 'usgovdod', 'china'] as const).map((cloud) => {
      const endpoints = resolveCloud({ cloud });
      return [cloud, endpoints.authorityHost, endpoints.graphRoot, graphDefaultScope(endpoints)];
    });
    assert.deepEqual(table, [
      ['global', 'https://login.microsoftonline.com', 'https://graph.microsoft.com', 'https://graph.microsoft.com/.default'],
      ['usgov', 'https://login.microsoftonline.us', 'https://graph.microsoft.us', 'https://graph.microsoft.us/.default'],
      ['usgovdod', 'https://login.microsoftonline.us', 'https://dod-graph.microsoft.us', 'https://dod-graph.microsoft.us/.default'],
      ['china', 'https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn/.default'],
    ]);
  });

  it('takes a custom cloud from --graph-root and --authority', () => {
    const custom = resolveCloud({ graphRoot: 'https://graph.contoso.test/', authorityHost: 'https://login.contoso.test' });
    assert.deepEqual(custom, { cloud: 'custom', graphRoot: 'https://graph.contoso.test', authorityHost: 'https://login.contoso.test' });
    assert.equal(graphDefaultScope(custom), 'https://graph.contoso.test/.default');
  });

  it('lets the terminal command use a Graph root alone with a ready-made token, and recognises national roots', () => {
    const env = { AUTOPILOT_ACCESS_TOKEN: 't' };
    assert.deepEqual(endpointsFor({ json: false, verbose: false, wait: false, noSync: false, graphRoot: 'http://127.0.0.1:8080/' }, env), {
      cloud: 'custom',
      graphRoot: 'http://127.0.0.1:8080',
      authorityHost: '',
    });
    assert.equal(endpointsFor({ json: false, verbose: false, wait: false, noSync: false }, { AUTOPILOT_GRAPH_ROOT: 'https://graph.microsoft.us' }).authorityHost, 'https://login.microsoftonline.us');
    assert.throws(
      () => endpointsFor({ json: false, verbose: false, wait: false, noSync: false, graphRoot: 'https://graph.contoso.test' }, { AUTOPILOT_CLIENT_ID: 'app' }),
      /needs its authority host for app-only sign-in/,
    );
    assert.equal(endpointsFor({ json: false, verbose: false, wait: false, noSync: false, cloud: 'china' }, {}).graphRoot, 'https://microsoftgraph.chinacloudapi.cn');
  });
});
