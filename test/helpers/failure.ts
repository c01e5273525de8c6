import { IkError } from '../../shared/http/errors';

/** The IkError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function ikFailure(promise: Promise<unknown>): Promise<IkError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IkError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}
