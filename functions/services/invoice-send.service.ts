import { clock } from '../adapters/clock.js';
import { claimSend, getSend, recordSent, releaseSend, type InvoiceSend } from '../store/invoice-send.store.js';
import { sendInvoice } from './invoice-document.service.js';

/**
 * Emails an issued invoice once for `purpose` (the workflow that sends it): the send is claimed
 * before the mail goes, so a retry or a rerun finds it claimed and sends nothing. A mail refused
 * gives the claim back (it may be sent again); a process cut off between claim and mail leaves it
 * claimed and unsent, which is told apart as `sending`, as does a mail sent whose record failed.
 */
export const sendInvoiceOnce = async (tenantId: string, invoiceId: string, purpose: string): Promise<InvoiceSend> => {
  const now = clock.now().toISOString();
  if (!(await claimSend(tenantId, invoiceId, purpose, now))) return (await getSend(tenantId, invoiceId, purpose))!;
  const { messageId, to } = await sendInvoice(tenantId, invoiceId, {}).catch(async (error: unknown) => {
    await releaseSend(tenantId, invoiceId, purpose);
    throw error;
  });
  // Sent: a failure to record it from here on leaves the claim, so that no retry sends it again.
  const sent = { to, messageId, sentAt: clock.now().toISOString() };
  await recordSent(tenantId, invoiceId, purpose, sent);
  return { state: 'sent', claimedAt: now, ...sent };
};
