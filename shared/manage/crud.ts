import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { newId, WriteConflictError, type Collection, type Versioned } from '../config/collection';
import { invalidateDeliveryConfig } from '../config/snapshot';
import { ApiError, json, managementHandler, readJson } from './api';

/** What differs between management resources; the HTTP verbs and storage steps are shared. */
export interface Resource<T> {
  /** Singular, for messages: "origin", "URL endpoint". */
  noun: string;
  collection: Collection<T>;
  list(): Promise<Versioned<T>[]>;
  get(id: string): Promise<Versioned<T> | undefined>;
  /** Validates a request body into a stored value; `existing` is the stored value on update. Throws ApiError. */
  parse(body: unknown, id: string | undefined, existing: T | undefined): Promise<T>;
  /** The response shape: never any secret. */
  present(id: string, value: T): object;
  /** Throws ApiError when the object may not be deleted. */
  checkDelete(id: string): Promise<void>;
}

function conflict(error: unknown): never {
  if (error instanceof WriteConflictError) throw new ApiError(409, error.message);
  throw error;
}

/**
 * `GET /` lists, `POST /` creates, `GET|PUT|DELETE /{id}` reads, replaces, deletes. Writes are conditional on
 * the ETag read just before, so a concurrent change answers 409 instead of being overwritten.
 */
export function crudHandler<T>(resource: Resource<T>) {
  const found = async (id: string) => {
    const row = await resource.get(id);
    if (!row) throw new ApiError(404, `No ${resource.noun} with id "${id}"`);
    return row;
  };

  return managementHandler(async (request: HttpRequest, requestId: string): Promise<HttpResponseInit> => {
    const id = request.params.id;
    const route = `${request.method} ${id === undefined ? 'collection' : 'item'}`;
    switch (route) {
      case 'GET collection': {
        const rows = await resource.list();
        return json(200, rows.map((r) => resource.present(r.id, r.value)), requestId);
      }
      case 'POST collection': {
        const value = await resource.parse(await readJson(request), undefined, undefined);
        const newObjectId = newId();
        await resource.collection.create(newObjectId, value).catch(conflict);
        invalidateDeliveryConfig();
        return json(201, resource.present(newObjectId, value), requestId);
      }
      case 'GET item': {
        const row = await found(id);
        return json(200, resource.present(row.id, row.value), requestId);
      }
      // PATCH (named transformations) reaches the same path: the resource's parse merges the body into `existing`.
      case 'PUT item':
      case 'PATCH item': {
        const row = await found(id);
        const value = await resource.parse(await readJson(request), id, row.value);
        await resource.collection.replace(id, value, row.etag).catch(conflict);
        invalidateDeliveryConfig();
        return json(200, resource.present(id, value), requestId);
      }
      case 'DELETE item': {
        const row = await found(id);
        await resource.checkDelete(id);
        await resource.collection.delete(id, row.etag).catch(conflict);
        invalidateDeliveryConfig();
        return json(204, undefined, requestId);
      }
      default:
        throw new ApiError(405, `${request.method} is not allowed here`);
    }
  });
}
