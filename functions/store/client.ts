import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config.js';

let documentClient: DynamoDBDocumentClient | undefined;

/** The one DynamoDB client of a process, built on first use from the config. */
export const db = (): DynamoDBDocumentClient => {
  if (!documentClient) {
    const { dynamoEndpoint, region } = config();
    const client = new DynamoDBClient(
      dynamoEndpoint
        ? { endpoint: dynamoEndpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : { region },
    );
    documentClient = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }
  return documentClient;
};

export const tableName = (): string => config().tableName;
