/**
 * The four flows the cost model prices, each run end to end against the local stack with capacity
 * metering on: every API request, DynamoDB unit, workflow transition, step, schedule fire and email
 * of the flow is counted (local/usage.ts, functions/store/client.ts, the local SES's store).
 */
import type { DbMetrics } from '../../functions/store/client.js';
import { localUsage, resetLocalUsage } from '../../local/usage.js';
import { newTenant, type TenantApi } from './api.js';
import type { FlowUsage } from './cost.js';

export interface FlowStack {
  apiUrl: string;
  mailUrl: string;
  idle(): Promise<void>;
}

export interface Meters {
  dbMetrics(): DbMetrics;
  resetDbMetrics(): void;
}

interface StoredMail {
  subject: string;
  destination: { to: string[] };
  body: { text?: string };
  attachments: { size: number }[];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** A client whose every request (API or portal) is counted, with its milliseconds. */
interface Metered {
  api: TenantApi;
  portal(url: string, init?: RequestInit): Promise<string>;
  requests: number;
  ms: number;
}

const metered = (api: TenantApi): Metered => {
  const meter: Metered = {
    requests: 0,
    ms: 0,
    api: {
      tenantId: api.tenantId,
      call: async (...args) => {
        const started = performance.now();
        try {
          return await api.call(...args);
        } finally {
          meter.requests++;
          meter.ms += performance.now() - started;
        }
      },
    },
    portal: async (url, init) => {
      const started = performance.now();
      try {
        const response = await fetch(url, { redirect: 'manual', ...init });
        const text = await response.text();
        if (response.status !== 200)
          throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status}: ${text.slice(0, 300)}`);
        return text;
      } finally {
        meter.requests++;
        meter.ms += performance.now() - started;
      }
    },
  };
  return meter;
};

const mails = async (stack: FlowStack, to: string): Promise<StoredMail[]> => {
  const response = await fetch(stack.mailUrl);
  return ((await response.json()) as { emails: StoredMail[] }).emails.filter((mail) => mail.destination.to.includes(to));
};

/** Waits (polling the mail store, which no meter counts) until `to` has `count` mails that `matches` takes. */
const waitForMails = async (
  stack: FlowStack,
  to: string,
  matches: (mail: StoredMail) => boolean,
  count: number,
): Promise<StoredMail[]> => {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const found = (await mails(stack, to)).filter(matches);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`${count} mails to ${to} did not come (${found.length} did)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const anyMail = (): boolean => true;

const PORTAL_LINK = /https?:\/\/[^\s"<>]+\/portal\/approvals\/[A-Za-z0-9._-]+/;

/** An approval request's mail is known by its portal link (its subject may read like an invoice's: the business names it). */
const portalLinkOf = (mail: StoredMail): string | undefined => PORTAL_LINK.exec(mail.body.text ?? '')?.[0];

type Setup<S> = (api: TenantApi, email: string) => Promise<S>;
type Flow<S> = (client: Metered, state: S, email: string, unmetered: TenantApi) => Promise<void>;

/**
 * Runs `flow` between resets of every meter and returns what it used; `setup` runs first,
 * unmetered. The customer's address is the flow's own, so its mails are counted alone.
 */
const runFlow = async <S>(
  stack: FlowStack,
  meters: Meters,
  name: string,
  invoices: number,
  setup: Setup<S>,
  flow: Flow<S>,
): Promise<FlowUsage> => {
  const email = `cost-${name.replace(/\W+/g, '-')}-${Date.now()}@example.test`;
  const api = await newTenant(stack.apiUrl, `Cost: ${name}`);
  const state = await setup(api, email);
  await stack.idle();
  const client = metered(api);
  const mailsBefore = (await mails(stack, email)).length;
  meters.resetDbMetrics();
  resetLocalUsage();
  await flow(client, state, email, api);
  await stack.idle();
  const db = Object.values(meters.dbMetrics());
  const usage = localUsage();
  const sent = (await mails(stack, email)).slice(mailsBefore);
  return {
    flow: name,
    invoices,
    apiRequests: client.requests,
    apiMs: client.ms,
    ...usage,
    readUnits: db.reduce((sum, m) => sum + m.readUnits, 0),
    writeUnits: db.reduce((sum, m) => sum + (m.documentedWriteUnits ?? 0), 0),
    localWriteUnits: db.reduce((sum, m) => sum + m.writeUnits, 0),
    emails: sent.length,
    attachmentBytes: sent.reduce((sum, mail) => sum + mail.attachments.reduce((s, a) => s + a.size, 0), 0),
  };
};

const customer = (api: TenantApi, email: string) =>
  api.call<{ id: string }>('POST', '/v1/customers', 201, { name: 'Cost customer', email });

/**
 * Measures each flow for `invoices` invoices. Capacity metering must be on; the clock of the local
 * stack is moved (the profile flow's snapshot), so it runs last of what the caller measures.
 */
export const measureFlows = async (stack: FlowStack, meters: Meters, invoices: number, today: string): Promise<FlowUsage[]> => {
  const flows: FlowUsage[] = [];
  const run: <S>(name: string, setup: Setup<S>, flow: Flow<S>) => Promise<FlowUsage> = (name, setup, flow) =>
    runFlow(stack, meters, name, invoices, setup, flow);

  // A job's invoice: drafted, issued, emailed with its PDF, paid.
  flows.push(
    await run(
      'job invoice (draft, issue, send, payment)',
      async (api, email) => {
        const { id: customerId } = await customer(api, email);
        const job = await api.call<{ id: string }>('POST', '/v1/jobs', 201, {
          customerId,
          name: 'Job',
          billingType: 'fixed_price',
        });
        await api.call('POST', `/v1/jobs/${job.id}/charges`, 201, {
          description: 'Works',
          quantity: '1',
          unitPrice: '1000000.00',
          taxRate: '20',
        });
        return job.id;
      },
      async ({ api }, jobId, email) => {
        for (const _ of range(invoices)) {
          const draft = await api.call<{ id: string }>('POST', `/v1/jobs/${jobId}/invoices`, 201, {
            policy: 'deposit',
            amount: '10.00',
          });
          await api.call('POST', `/v1/invoices/${draft.id}/issue`, 200);
          await api.call('POST', `/v1/invoices/${draft.id}/send`, 202, {});
          await api.call('POST', `/v1/invoices/${draft.id}/payments`, 201, {
            amount: '1.00',
            date: today,
            method: 'bank_transfer',
          });
        }
        await waitForMails(stack, email, anyMail, invoices);
      },
    ),
  );

  // A milestone the client approves from the emailed link; the milestone-billing workflow bills it.
  flows.push(
    await run(
      'milestone approval (complete, client approves, workflow bills and emails)',
      async (api, email) => {
        const { id: customerId } = await customer(api, email);
        const job = await api.call<{ id: string }>('POST', '/v1/jobs', 201, {
          customerId,
          name: 'House',
          billingType: 'milestone',
        });
        const ids: string[] = [];
        for (const i of range(invoices)) {
          const milestone = await api.call<{ id: string }>('POST', `/v1/jobs/${job.id}/milestones`, 201, {
            name: `Stage ${i + 1}`,
            amount: '100',
            taxRate: '20',
            completionCriteria: 'Inspected',
            requiresClientApproval: true,
          });
          ids.push(milestone.id);
        }
        return { jobId: job.id, ids };
      },
      async (client, { jobId, ids }, email) => {
        for (const [i, id] of ids.entries()) {
          await client.api.call('POST', `/v1/jobs/${jobId}/milestones/${id}/complete`, 200);
          const link = portalLinkOf((await waitForMails(stack, email, (mail) => !!portalLinkOf(mail), i + 1)).at(-1)!)!;
          await client.portal(link);
          await client.portal(link, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ decision: 'approve', comment: '' }).toString(),
          });
        }
        await waitForMails(stack, email, (mail) => mail.attachments.length > 0, ids.length);
      },
    ),
  );

  // A partial invoice of 100 expenditures: booked in one batch, drafted, approved; the
  // partial-invoice workflow settles, copies, issues and emails it.
  flows.push(
    await run(
      'partial invoice of 100 expenditures (book, draft, approve, workflow)',
      async (api, email) => {
        const { id: customerId } = await customer(api, email);
        return api.call<{ id: string }>('POST', '/v1/jobs', 201, { customerId, name: 'Refit', billingType: 'time_and_material' });
      },
      async ({ api }, job, email) => {
        for (const _ of range(invoices)) {
          const items = range(100).map((i) => ({
            kind: ['hours', 'material', 'purchase'][i % 3],
            date: today,
            description: `Expenditure ${i + 1}`,
            quantity: '1.5',
            unitCost: '40',
            unitPrice: '75',
            booked: true,
          }));
          const batch = await api.call<{ items: { id: string }[] }>('POST', `/v1/jobs/${job.id}/expenditures/batch`, 201, {
            items,
          });
          const draft = await api.call<{ id: string }>('POST', `/v1/jobs/${job.id}/partial-invoices`, 201, {
            expenditureIds: batch.items.map((e) => e.id),
            copy: 'grouped_by_kind',
          });
          await api.call('POST', `/v1/partial-invoices/${draft.id}/approve`, 200, { send: true });
          await stack.idle();
        }
        await waitForMails(stack, email, anyMail, invoices);
      },
    ),
  );

  // A running tab of 20 items a cycle, snapshotted by its schedule, issued and emailed (live).
  flows.push(
    await run(
      'profile snapshot (20 items added, the schedule fires, issue, email)',
      async (api, email) => {
        const { id: customerId } = await customer(api, email);
        const clockNow = (await api.call<{ now: string }>('GET', '/local/clock', 200)).now;
        const tomorrow = new Date(Date.parse(clockNow) + 86_400_000).toISOString().slice(0, 10);
        const profiles = await Promise.all(
          range(invoices).map((i) =>
            api.call<{ id: string }>('POST', '/v1/profiles', 201, {
              customerId,
              name: `Tab ${i + 1}`,
              intervalDays: 30,
              firstCreationDate: tomorrow,
              invoiceMode: 'live',
              status: 'active',
            }),
          ),
        );
        return { ids: profiles.map((p) => p.id), tomorrow };
      },
      async ({ api }, { ids, tomorrow }, email, unmetered) => {
        for (const id of ids) {
          for (const i of range(20)) {
            await api.call('POST', `/v1/profiles/${id}/items`, 201, {
              description: `Item ${i + 1}`,
              quantity: '2',
              unitPrice: '12.34',
            });
          }
        }
        // The test clock's move fires the snapshots and waits for them; it is the bench's, not the flow's, request.
        await unmetered.call('POST', '/local/clock', 200, { set: `${tomorrow}T00:30:00Z` });
        await waitForMails(stack, email, anyMail, ids.length);
      },
    ),
  );
  return flows;
};
