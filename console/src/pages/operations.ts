// Operations (operator keys only): the backlog, the validate-system health summary with its hints,
// the recovery scan as a dry run and then for real, and webhook deliveries where the API has them.
import { api, ApiError, type Backlog, type HealthReport, type ScanReport } from '../api';
import { h, replace, seconds, sleep, statusChip, time } from '../dom';
import type { Page } from '../router';
import { isInternal } from '../session';
import { webhookSection } from '../webhooks';

export const operationsPage: Page = {
  title: 'Operations',
  async render(main, { signal }) {
    if (!isInternal()) {
      // Hidden from the navigation for client keys; opened by URL it says why and shows the API's own refusal.
      const refusal = h('p', { class: 'error', id: 'operations-refused', role: 'alert' }, 'Asking the API…');
      replace(main, h('h1', {}, 'Operations'),
        h('p', {}, 'Operations needs an operator (internal) key. You are signed in with a client key.'), refusal);
      try {
        await api.backlog(signal);
        refusal.textContent = 'The API accepted this key for operations: sign in again to see them.';
      } catch (error) {
        refusal.textContent = error instanceof ApiError ? `The API refuses this key: HTTP ${error.status} ${error.message}` : String(error);
      }
      return;
    }

    const backlog = h('section', { class: 'card', 'aria-labelledby': 'backlog-title' }, h('h2', { id: 'backlog-title' }, 'Backlog'));
    const health = h('section', { class: 'card', 'aria-labelledby': 'health-title' }, h('h2', { id: 'health-title' }, 'Health summary'), h('p', { class: 'muted' }, 'Running the checks…'));
    const scan = h('section', { class: 'card', 'aria-labelledby': 'scan-title' });
    const webhooks = h('div', {});
    replace(main, h('h1', {}, 'Operations'), h('div', { class: 'columns' }, backlog, scan), health, webhooks);

    drawScan(scan, null);
    void loadHealth(health, signal);
    void webhookSection(signal).then((section) => { if (section) replace(webhooks, section); })
      .catch((error) => replace(webhooks, h('p', { class: 'error' }, `Webhook deliveries: ${error instanceof ApiError ? error.message : String(error)}`)));
    while (!signal.aborted) {
      try {
        drawBacklog(backlog, await api.backlog(signal));
      } catch (error) {
        if (signal.aborted) return;
        replace(backlog, h('h2', { id: 'backlog-title' }, 'Backlog'), h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : String(error)));
      }
      await sleep(5000, signal);
    }
  },
};

// The backlog is the unfinished jobs; the API counts finished ones (SUCCEEDED, FAILED, DEAD) as history, not backlog.
const unfinished = ['QUEUED', 'RUNNING', 'RETRY_WAIT'];

function drawBacklog(section: HTMLElement, view: Backlog): void {
  replace(section,
    h('h2', { id: 'backlog-title' }, 'Backlog'),
    h('dl', { class: 'counts', id: 'backlog-counts' }, ...unfinished.filter((s) => s in view.countsByState).map((state) =>
      h('div', { class: 'count' }, h('dt', {}, statusChip(state)), h('dd', { 'data-state': state }, String(view.countsByState[state]))))),
    h('h3', {}, 'Oldest waits'),
    h('dl', { class: 'details' },
      h('dt', {}, 'Queued'), h('dd', {}, seconds(view.oldestQueuedSeconds)),
      h('dt', {}, 'Waiting to retry'), h('dd', {}, seconds(view.oldestRetryWaitSeconds)),
      h('dt', {}, 'Running, since last heartbeat'), h('dd', {}, seconds(view.oldestRunningHeartbeatSeconds))),
    h('p', { class: 'muted' }, 'As of ', time(view.at), '; refreshed every 5 s.'));
}

async function loadHealth(section: HTMLElement, signal: AbortSignal): Promise<void> {
  const rerun = h('button', { type: 'button', id: 'rerun-health', onclick: () => void loadHealth(section, signal) }, 'Run the checks again');
  let report: HealthReport;
  try {
    report = await api.healthSummary(signal);
  } catch (error) {
    if (signal.aborted) return;
    replace(section, h('h2', { id: 'health-title' }, 'Health summary'), h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : String(error)), rerun);
    return;
  }
  replace(section,
    h('div', { class: 'section-head' }, h('h2', { id: 'health-title' }, 'Health summary'), rerun),
    h('p', {}, 'SYSTEM_STATUS ', h('span', { id: 'system-status' }, statusChip(report.systemStatus)), ` · ${report.mode} · `, time(report.at)),
    h('div', { class: 'table-wrap' }, h('table', { id: 'health-checks' },
      h('caption', { class: 'visually-hidden' }, 'Checks of validate-system'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Check'), h('th', { scope: 'col' }, 'Result'), h('th', { scope: 'col' }, 'Detail'))),
      h('tbody', {}, ...report.checks.map((check) => h('tr', {},
        h('th', { scope: 'row', 'data-label': 'Check' }, check.name),
        h('td', { 'data-label': 'Result' }, statusChip(check.status)),
        h('td', { 'data-label': 'Detail' }, check.detail)))))),
    h('h3', {}, 'Root-cause hints'),
    report.rootCauseHints.length === 0
      ? h('p', { class: 'muted', id: 'hints' }, 'None: every check passed or was skipped.')
      : h('ul', { id: 'hints' }, ...report.rootCauseHints.map((hint) => h('li', {}, hint))));
}

function drawScan(section: HTMLElement, report: ScanReport | null, error?: string): void {
  const dryRun = h('button', { type: 'button', id: 'scan-dry-run', onclick: () => void run(true) }, 'Dry run');
  const forReal = h('button', {
    type: 'button', class: 'danger', id: 'scan-for-real', onclick: () => void run(false),
    disabled: !report?.dryRun, 'aria-describedby': 'scan-help',
  }, 'Run it for real');

  async function run(dry: boolean): Promise<void> {
    dryRun.disabled = forReal.disabled = true;
    try {
      drawScan(section, await api.scan(dry));
    } catch (failure) {
      drawScan(section, report, failure instanceof ApiError ? failure.message : String(failure));
    }
    section.querySelector<HTMLButtonElement>(dry ? '#scan-for-real' : '#scan-dry-run')?.focus();
  }

  replace(section,
    h('h2', { id: 'scan-title' }, 'Recovery scan'),
    h('p', { id: 'scan-help', class: 'muted' },
      'The scan finds stuck RUNNING jobs, due RETRY_WAIT jobs and lost submissions, and resubmits them under the same job id. ' +
      'A dry run reports what it would do and changes nothing; run it for real after reading the report.'),
    h('div', { class: 'actions' }, dryRun, forReal),
    error && h('p', { class: 'error', role: 'alert' }, error),
    report && h('div', { id: 'scan-report', 'data-dry-run': String(report.dryRun) },
      h('p', {}, h('strong', {}, report.dryRun ? 'Dry run' : 'Scan'), ` at `, time(report.at), `: ${report.entries.length} job${report.entries.length === 1 ? '' : 's'}.`),
      report.entries.length > 0 && h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ...['Job', 'State', 'Attempt', 'Reason', 'Result'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...report.entries.map((e) => h('tr', {},
          h('td', { 'data-label': 'Job' }, h('code', {}, e.jobId)),
          h('td', { 'data-label': 'State' }, statusChip(e.state)),
          h('td', { 'data-label': 'Attempt' }, String(e.attempt)),
          h('td', { 'data-label': 'Reason' }, e.reason),
          h('td', { 'data-label': 'Result' }, e.result))))))));
}
