/**
 * The `autopilot.*` settings that decide where tokens come from and go to. They are contributed with
 * `"scope": "application"`, and only their user-level (global) values are read here as well, so a repository's
 * `.vscode/settings.json` can never redirect a token.
 */
import * as vscode from 'vscode';
import { CLOUD_NAMES, resolveCloud, type CloudName } from '../../graph/clouds';
import { DEFAULT_CLIENT_ID, DEFAULT_TENANT, checkAuthorityHost } from '../authConfig';
import { SettingsProblem, type AuthSettings } from '../authService';

export type SignInFlow = 'interactive' | 'deviceCode' | 'clientSecret' | 'clientCertificate';
export const SIGN_IN_FLOWS: readonly SignInFlow[] = ['interactive', 'deviceCode', 'clientSecret', 'clientCertificate'];

/** Settings whose change means different endpoints, a different app or a different way to sign in. */
export const AUTH_SETTING_KEYS = ['autopilot.cloud', 'autopilot.graphRoot', 'autopilot.authority', 'autopilot.auth'] as const;

function userValue<T>(configuration: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const inspected = configuration.inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

function text(configuration: vscode.WorkspaceConfiguration, key: string, fallback = ''): string {
  const value = userValue<unknown>(configuration, key, fallback);
  return typeof value === 'string' ? value.trim() : fallback;
}

export function readAuthSettings(configuration = vscode.workspace.getConfiguration('autopilot')): AuthSettings | SettingsProblem {
  const cloud = text(configuration, 'cloud', 'global') as CloudName;
  if (!CLOUD_NAMES.includes(cloud)) {
    return new SettingsProblem(vscode.l10n.t('autopilot.cloud is "{0}": choose one of {1}.', cloud, CLOUD_NAMES.join(', ')));
  }
  const graphRoot = text(configuration, 'graphRoot');
  const authorityHost = text(configuration, 'authority');
  if (cloud === 'custom' && (!graphRoot || !authorityHost)) {
    return new SettingsProblem(vscode.l10n.t('The custom cloud needs both autopilot.authority and autopilot.graphRoot: set them in your user settings.'));
  }
  try {
    const endpoints = resolveCloud({ cloud, ...(graphRoot ? { graphRoot } : {}), ...(authorityHost ? { authorityHost } : {}) });
    checkAuthorityHost(endpoints.authorityHost);
    return {
      endpoints,
      clientId: text(configuration, 'auth.clientId', DEFAULT_CLIENT_ID) || DEFAULT_CLIENT_ID,
      tenantId: text(configuration, 'auth.tenantId', DEFAULT_TENANT) || DEFAULT_TENANT,
    };
  } catch (error) {
    return new SettingsProblem(error instanceof Error ? error.message : String(error));
  }
}

/** `ask` (the default) lets the user choose each time; anything else is the only flow offered. */
export function configuredFlow(configuration = vscode.workspace.getConfiguration('autopilot')): SignInFlow | 'ask' {
  const flow = text(configuration, 'auth.flow', 'ask') as SignInFlow | 'ask';
  return SIGN_IN_FLOWS.includes(flow as SignInFlow) ? flow : 'ask';
}

export function configuredCertificatePath(configuration = vscode.workspace.getConfiguration('autopilot')): string {
  return text(configuration, 'auth.certificatePath');
}
