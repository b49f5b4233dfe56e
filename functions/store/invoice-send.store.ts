import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './client.js';
import { keys } from './keys.js';
import { readItem } from './read.js';

/** That a workflow emailed an invoice (`purpose`: the workflow's name), recorded before the mail is sent. */
export interface InvoiceSend {
  state: 'sending' | 'sent';
  claimedAt: string;
  to?: string[];
  messageId?: string;
  sentAt?: string;
}

/**
 * Claims the one send of the invoice for the purpose: true when this call may send it, false when
 * a send was claimed before (sent, or cut off mid-way: it is not sent twice).
 */
export const claimSend = async (tenantId: string, invoiceId: string, purpose: string, at: string): Promise<boolean> => {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.invoiceSend(tenantId, invoiceId, purpose), state: 'sending', claimedAt: at },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

export const recordSent = async (
  tenantId: string,
  invoiceId: string,
  purpose: string,
  sent: Required<Pick<InvoiceSend, 'to' | 'messageId' | 'sentAt'>>,
): Promise<void> => {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.invoiceSend(tenantId, invoiceId, purpose),
      UpdateExpression: 'SET #state = :sent, #to = :to, messageId = :messageId, sentAt = :sentAt',
      ExpressionAttributeNames: { '#state': 'state', '#to': 'to' },
      ExpressionAttributeValues: { ':sent': 'sent', ':to': sent.to, ':messageId': sent.messageId, ':sentAt': sent.sentAt },
    }),
  );
};

/** The mail was refused (it is known not to have gone): the send may be claimed again. */
export const releaseSend = async (tenantId: string, invoiceId: string, purpose: string): Promise<void> => {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.invoiceSend(tenantId, invoiceId, purpose) }));
};

export const getSend = async (tenantId: string, invoiceId: string, purpose: string): Promise<InvoiceSend | undefined> => {
  const item = await readItem(keys.invoiceSend(tenantId, invoiceId, purpose));
  return item
    ? ({
        state: item.state,
        claimedAt: item.claimedAt,
        to: item.to,
        messageId: item.messageId,
        sentAt: item.sentAt,
      } as InvoiceSend)
    : undefined;
};
