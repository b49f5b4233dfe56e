/** How long a function may run (the Lambda timeout), well under API Gateway's 30 s; the local stack keeps it too. */
export const FUNCTION_TIMEOUT_SECONDS = 10;

/** Settings every function reads from its environment: read once, failing fast when one is missing. */
export interface Config {
  tableName: string;
  /** Set only off AWS (the local stack, tests): DynamoDB Local's URL. */
  dynamoEndpoint: string | undefined;
  region: string;
}

/**
 * What a function that sends mail needs besides `Config`. Read apart from it, on the first mail,
 * because only the functions that send mail are given a sender (the others must not fail for it).
 */
export interface MailConfig {
  /** The sender address (`MAIL_FROM`): a verified SES identity on AWS; the local stack sets `billing@tally.local`. */
  mailFrom: string;
  /** Set only off AWS (the local stack, tests): the local SES's URL (`SES_ENDPOINT`). */
  sesEndpoint: string | undefined;
  region: string;
}

let loaded: Config | undefined;
let loadedMail: MailConfig | undefined;
let loadedCursorSecret: string | undefined;

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

export const mailConfig = (): MailConfig => {
  loadedMail ??= {
    mailFrom: required('MAIL_FROM'),
    sesEndpoint: process.env.SES_ENDPOINT || undefined,
    region: process.env.AWS_REGION ?? 'us-east-1',
  };
  return loadedMail;
};

/**
 * The secret that seals list cursors (`CURSOR_KEY`, at least 32 characters): on AWS a secret the
 * stack generates, locally one kept in the data dir. Read apart from `Config`, on the first listing,
 * because the authorizer lists nothing and is not given one.
 */
export const cursorSecret = (): string => {
  if (loadedCursorSecret === undefined) {
    const value = required('CURSOR_KEY');
    if (value.length < 32) throw new Error('environment variable CURSOR_KEY must be at least 32 characters long');
    loadedCursorSecret = value;
  }
  return loadedCursorSecret;
};
