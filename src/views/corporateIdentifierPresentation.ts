/** How corporate identifiers read to people: enrollment states as the portal names them, last contact, icons. */
import * as vscode from 'vscode';
import { lastContact } from '../graph/corporateIdentifiers';

/** The portal's words: Enrolled, Not contacted, Failed (and Graph's other states). */
export function enrollmentStateLabel(state: string | null | undefined): string {
  switch (state) {
    case 'enrolled':
      return vscode.l10n.t('Enrolled');
    case 'notContacted':
      return vscode.l10n.t('Not contacted');
    case 'failed':
      return vscode.l10n.t('Failed');
    case 'blocked':
      return vscode.l10n.t('Blocked');
    case 'pendingReset':
      return vscode.l10n.t('Pending reset');
    case 'unknown':
    case null:
    case undefined:
    case '':
      return vscode.l10n.t('Unknown');
    default:
      return state;
  }
}

/** Which group a state belongs to in the view, in the order the groups are shown (trouble first). */
export const STATE_ORDER = ['failed', 'blocked', 'pendingReset', 'notContacted', 'enrolled', 'unknown'] as const;

export function stateGroup(state: string | null | undefined): string {
  return (STATE_ORDER as readonly string[]).includes(state ?? '') ? state! : 'unknown';
}

export function stateIcon(state: string | null | undefined): vscode.ThemeIcon {
  switch (stateGroup(state)) {
    case 'enrolled':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'blocked':
      return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconFailed'));
    case 'pendingReset':
      return new vscode.ThemeIcon('history', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    case 'notContacted':
      return new vscode.ThemeIcon('circle-large-outline');
    default:
      return new vscode.ThemeIcon('question');
  }
}

/** "last contact 2 hr. ago" within a week, "last contact 21 Aug, 10:00" before that, or "never contacted". */
export function lastContactText(value: string | null | undefined, now = Date.now()): string {
  const at = lastContact(value);
  if (!at) return vscode.l10n.t('never contacted');
  const minutes = Math.round((now - at.getTime()) / 60_000);
  if (minutes >= 0 && minutes < 7 * 24 * 60) {
    const relative = new Intl.RelativeTimeFormat(vscode.env.language, { numeric: 'auto', style: 'short' });
    const [amount, unit]: [number, Intl.RelativeTimeFormatUnit] = minutes < 60 ? [minutes, 'minute'] : minutes < 24 * 60 ? [Math.round(minutes / 60), 'hour'] : [Math.round(minutes / (24 * 60)), 'day'];
    return vscode.l10n.t('last contact {0}', relative.format(-amount, unit));
  }
  const sameYear = at.getFullYear() === new Date(now).getFullYear();
  return vscode.l10n.t(
    'last contact {0}',
    at.toLocaleString(vscode.env.language, sameYear ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } : { year: 'numeric', month: 'short', day: 'numeric' }),
  );
}
