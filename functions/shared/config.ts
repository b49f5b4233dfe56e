/** Settings every function reads from its environment: read once, failing fast when one is missing. */
export interface Config {
  tableName: string;
  /** Set only off AWS (the local stack, tests): DynamoDB Local's URL. */
  dynamoEndpoint: string | undefined;
  region: string;
}

let loaded: Config | undefined;

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

export const config = (): Config => {
  loaded ??= {
    tableName: required('TABLE_NAME'),
    dynamoEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    region: process.env.AWS_REGION ?? 'us-east-1',
  };
  return loaded;
};
