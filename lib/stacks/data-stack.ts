import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { indexes, TTL_ATTRIBUTE } from '../../functions/store/keys.js';

/**
 * The stateful stack: the one table (design §3). It is deployed apart from the service so that
 * the service can be destroyed and rebuilt without touching the data.
 */
export class DataStack extends Stack {
  readonly table: ITable;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const table = new Table(this, 'Table', {
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      sortKey: { name: 'SK', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Billing records outlive any stack: a deleted stack leaves the table to be re-imported.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(indexes)) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.pk, type: AttributeType.STRING },
        sortKey: { name: index.sk, type: AttributeType.STRING },
        // Keys only: a listing reads the items its entries point to (functions/store/aggregate.ts).
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
    this.table = table;
  }
}
