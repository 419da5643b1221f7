/**
 * The federated token of workload identity federation: a JWT that an external issuer (GitHub Actions, Azure
 * Kubernetes Service, GitLab…) gives the pipeline, which Entra ID exchanges for an app-only token when the app has a
 * federated credential for that issuer, subject and audience (`api://AzureADTokenExchange`).
 */
import * as fs from 'node:fs/promises';
import * as l10n from '@vscode/l10n';
import { AuthFailure } from './authErrors';

export async function readFederatedToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new AuthFailure(
      l10n.t('The federated token file {0} cannot be read ({1}): point AZURE_FEDERATED_TOKEN_FILE (or AUTOPILOT_FEDERATED_TOKEN_FILE) at the file your pipeline writes the token to.', file, (error as NodeJS.ErrnoException).code ?? String(error)),
      'federatedTokenUnreadable',
    );
  }
  const token = text.trim();
  if (!token) {
    throw new AuthFailure(l10n.t('The federated token file {0} is empty: the step that requests the token from your pipeline must run first.', file), 'federatedTokenUnreadable');
  }
  return token;
}
