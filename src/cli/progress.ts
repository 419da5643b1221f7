/** The live progress line on a terminal (stderr), fed by engine events. Off when stderr is not a TTY. */
import * as l10n from '@vscode/l10n';
import { counted } from '../common/counts';
import type { RetryWait } from '../graph/client';
import type { ImportEvent } from '../import/events';

export class ProgressLine {
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
  ) {}

  /** Erases the line so a log message or the final output starts on a clean line. */
  clear(): void {
    if (this.shown) this.write('\r\x1b[2K');
    this.shown = false;
  }

  show(text: string): void {
    if (!this.enabled) return;
    this.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  onEvent(event: ImportEvent): void {
    switch (event.type) {
      case 'chunk-sending':
        this.show(event.mode === 'import' ? l10n.t('Sending chunk {0} ({1})…', event.send, counted.devices(event.devices)) : l10n.t('Sending device {0}…', event.send));
        break;
      case 'settling':
        this.show(l10n.t('Graph did not confirm {0}; waiting {1} s for it to commit them before checking…', counted.devices(event.devices), (event.waitMs / 1000).toFixed(1)));
        break;
      case 'reconciled':
        this.show(l10n.t('Checked an unanswered send: {0} found, {1} to send again', event.found, event.missing));
        break;
      case 'progress': {
        const c = event.counts;
        const sent = event.total - event.unsent;
        this.show(
          event.phase === 'sending'
            ? l10n.t('Sent {0} of {1}', sent, event.total)
            : l10n.t('{0}: {1} complete, {2} error, {3} partial, {4} processing, {5} registered', counted.devices(event.total), c.complete, c.error, c.partial, c.pending, event.registered),
        );
        break;
      }
      case 'sync':
        this.show(l10n.t('Autopilot sync: {0}', event.outcome));
        break;
      default:
        break;
    }
  }

  onRetryWait(wait: RetryWait): void {
    this.show(l10n.t('Graph answered {0}; waiting {1} s…', wait.status, (wait.waitMs / 1000).toFixed(1)));
  }
}
