import { clock } from '../adapters/clock.js';
import { claimSend, getSend, recordSent, releaseSend, type InvoiceSend } from '../store/invoice-send.store.js';
import { sendInvoice } from './invoice-document.service.js';

/**
 * Emails an issued invoice once for `purpose` (the workflow that sends it): the send is claimed
 * before the mail goes, so a retry or a rerun finds it claimed and sends nothing. A mail refused
 * gives the claim back (it may be sent again); a process cut off between claim and mail leaves it
 * claimed and unsent, which is told apart as `sending`.
 */
export const sendInvoiceOnce = async (tenantId: string, invoiceId: string, purpose: string): Promise<InvoiceSend> => {
  const now = clock.now().toISOString();
  if (!(await claimSend(tenantId, invoiceId, purpose, now))) return (await getSend(tenantId, invoiceId, purpose))!;
  try {
    const { messageId, to } = await sendInvoice(tenantId, invoiceId, {});
    const sent = { to, messageId, sentAt: clock.now().toISOString() };
    await recordSent(tenantId, invoiceId, purpose, sent);
    return { state: 'sent', claimedAt: now, ...sent };
  } catch (error) {
    await releaseSend(tenantId, invoiceId, purpose);
    throw error;
  }
};
