/**
 * What kind of failure a domain error is; the HTTP layer maps each kind to one status
 * (invalid 400, not_found 404, conflict 409, precondition 412, rule 422).
 */
export type ErrorKind = 'invalid' | 'not_found' | 'conflict' | 'precondition' | 'rule';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** A failure with a stable code that API clients can rely on, e.g. `JOB_BILLED`. */
export class DomainError extends Error {
  /** A lost race with a concurrent write: the use case may read again and retry. */
  retryable = false;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (entity: string): DomainError =>
  new DomainError('not_found', `${entity.toUpperCase()}_NOT_FOUND`, `${entity} not found`);

export const invalidField = (field: string, code: string, message: string): DomainError =>
  new DomainError('invalid', 'VALIDATION_FAILED', message, [{ field, code, message }]);

export const versionConflict = (entity: string): DomainError =>
  new DomainError('conflict', 'VERSION_CONFLICT', `${entity} was changed by another request; reload it and try again`);

/** A request names another aggregate that does not exist (422, naming the field). */
export const unknownReference = (entity: string, field: string): DomainError =>
  new DomainError('rule', `${entity.toUpperCase()}_NOT_FOUND`, `No such ${entity}: ${field}`, [
    { field, code: 'not_found', message: `no such ${entity}` },
  ]);

/** Another request changed the item between our read and our write: reading again and retrying is safe. */
export const concurrentWrite = (entity: string): DomainError => {
  const error = versionConflict(entity);
  error.retryable = true;
  return error;
};

/**
 * The resource itself when it is at the version the caller expects (If-Match), if it expects one.
 * Another version fails the caller's precondition (412). A plain edit that loses a race after this
 * check is a concurrent write (409); a use case that retries reads again and ends here (412).
 */
export const expectVersion = <T extends { version: number }>(resource: T, expected: number | undefined, entity: string): T => {
  if (expected !== undefined && expected !== resource.version) {
    throw new DomainError(
      'precondition',
      'PRECONDITION_FAILED',
      `${entity} is at version ${resource.version}, not ${expected}; reload it and try again`,
    );
  }
  return resource;
};

/** A date range holds more than one answer may carry (422 naming `to`): the caller narrows it. */
export const rangeTooWide = (code: string, what: string, max: number, { from, to }: { from: string; to: string }): DomainError =>
  new DomainError('rule', code, `More than ${max} ${what} were issued from ${from} to ${to}; narrow the range`, [
    { field: 'to', code: 'too_many', message: `narrow the range to at most ${max} ${what}` },
  ]);
