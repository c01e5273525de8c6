import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { newId, OBJECT_ID, WriteConflictError, type Collection, type Versioned } from '../config/collection';
import { json, managementHandler, readJson, type ManageParts } from './api';
import { conflict, methodNotAllowed, notFound, preconditionFailed } from '../http/errors';

/** What differs between management resources; the HTTP verbs and storage steps are shared. */
export interface Resource<T> {
  /** Singular, for messages: "origin", "URL endpoint". */
  noun: string;
  collection: Collection<T>;
  /** The collection's own list and get unless the resource has objects that exist without a row (the default URL endpoint). */
  list?(): Promise<Versioned<T>[]>;
  get?(id: string): Promise<Versioned<T> | undefined>;
  /** Ids that can exist besides `OBJECT_ID` ones, such as the default URL endpoint's. */
  fixedIds?: string[];
  /** Validates a request body into a stored value; `existing` is the stored value on update. Throws IkError. */
  parse(body: unknown, id: string | undefined, existing: T | undefined): Promise<T>;
  /** The response shape: never any secret. */
  present(id: string, value: T): object;
  /** Throws IkError when the object may not be deleted. */
  checkDelete(id: string): Promise<void>;
  /**
   * Runs after a create or update is stored, for what a concurrent request elsewhere may have invalidated while
   * this one ran; a message undoes the write and answers 409 with it.
   */
  confirm?(id: string, value: T, previous: T | undefined): Promise<string | undefined>;
}

/** The Table entity's ETag, offered as a strong validator: it changes with every write of the object. */
const publicEtag = (tableEtag: string) => tableEtag.replace(/^W\//, '');

/** RFC 9110 If-Match: `*` matches any existing object, otherwise one of the listed tags, compared strongly. */
const ifMatchHolds = (header: string, tableEtag: string) => header.split(',').some((tag) => tag.trim() === '*' || tag.trim() === publicEtag(tableEtag));

/**
 * `GET /` lists, `POST /` creates, `GET|PUT|PATCH|DELETE /{id}` reads, replaces, deletes. Every write is
 * conditional on the ETag read just before, which is the client's `If-Match` when it sent one (412 when stale);
 * without it, a concurrent change answers 409 instead of being overwritten.
 */
export function crudHandler<T>(parts: ManageParts, resource: Resource<T>) {
  const { noun, collection } = resource;
  const list = () => (resource.list ? resource.list() : collection.list());
  const get = (id: string) => (resource.get ? resource.get(id) : collection.get(id));
  const unique = collection.unique;

  const found = async (id: string) => {
    // An id this API cannot have issued is answered at once, without a storage call.
    if (!OBJECT_ID.test(id) && !resource.fixedIds?.includes(id)) throw notFound(`No ${noun} with this id (ids are 24 hex digits)`);
    const row = await get(id);
    if (!row) throw notFound(`No ${noun} with id "${id}"`);
    return row;
  };

  /** Objects stored before key rows existed hold their values without one, so they are found by listing. */
  const checkUnique = async (value: T, id: string | undefined) => {
    if (!unique) return;
    const clash = (await list()).find((r) => r.id !== id && unique.key(r.value) === unique.key(value));
    if (clash) throw conflict(`${unique.name}: "${String(value[unique.name])}" is used by ${noun} "${clash.id}"`);
  };

  const written = (value: T, ifMatch: string | null) => (error: unknown): never => {
    if (!(error instanceof WriteConflictError)) throw error;
    if (error.reason === 'taken' && unique) throw conflict(`${unique.name}: "${String(value[unique.name])}" is used by another ${noun}`);
    if (error.reason === 'changed' && ifMatch !== null) throw preconditionFailed(`The ${noun} has changed since the ETag in If-Match; read it again and retry`);
    throw conflict(error.message);
  };

  const precondition = (request: HttpRequest, row: Versioned<T>): string | null => {
    const ifMatch = request.headers.get('if-match');
    if (ifMatch !== null && !ifMatchHolds(ifMatch, row.etag)) {
      throw preconditionFailed(`The ${noun} has changed since the ETag in If-Match (it is now ${publicEtag(row.etag)}); read it again and retry`);
    }
    return ifMatch;
  };

  /** Stores a create (`previous` undefined) or update, then lets the resource confirm it; undone when refused. */
  const store = async (id: string, value: T, previous: Versioned<T> | undefined, ifMatch: string | null): Promise<string> => {
    const etag = await (previous ? collection.replace(id, value, previous.etag) : collection.create(id, value)).catch(written(value, ifMatch));
    parts.config.invalidate();
    const refusal = await resource.confirm?.(id, value, previous?.value);
    if (refusal === undefined) return etag;
    const undone = await (previous ? collection.replace(id, previous.value, etag) : collection.delete(id, etag)).then(
      () => true,
      (error: unknown) => {
        if (error instanceof WriteConflictError) return false;
        throw error;
      },
    );
    parts.config.invalidate();
    throw conflict(undone ? refusal : `${refusal}; another request changed the ${noun} meanwhile, so this write stays`);
  };

  const respond = (status: number, id: string, value: T, etag: string, requestId: string) => json(status, resource.present(id, value), requestId, { etag: publicEtag(etag) });

  return managementHandler(parts.authenticate, async (request: HttpRequest, requestId: string): Promise<HttpResponseInit> => {
    const id = request.params.id;
    const route = `${request.method} ${id === undefined ? 'collection' : 'item'}`;
    switch (route) {
      case 'GET collection': {
        const rows = await list();
        return json(200, rows.map((r) => resource.present(r.id, r.value)), requestId);
      }
      case 'POST collection': {
        const value = await resource.parse(await readJson(request), undefined, undefined);
        await checkUnique(value, undefined);
        const newObjectId = newId();
        return respond(201, newObjectId, value, await store(newObjectId, value, undefined, null), requestId);
      }
      case 'GET item': {
        const row = await found(id);
        return respond(200, row.id, row.value, row.etag, requestId);
      }
      // PATCH (named transformations) reaches the same path: the resource's parse merges the body into `existing`.
      case 'PUT item':
      case 'PATCH item': {
        const row = await found(id);
        const ifMatch = precondition(request, row);
        const value = await resource.parse(await readJson(request), id, row.value);
        await checkUnique(value, id);
        return respond(200, id, value, await store(id, value, row, ifMatch), requestId);
      }
      case 'DELETE item': {
        const row = await found(id);
        const ifMatch = precondition(request, row);
        await resource.checkDelete(id);
        await collection.delete(id, row.etag).catch(written(row.value, ifMatch));
        parts.config.invalidate();
        return json(204, undefined, requestId);
      }
      default:
        throw methodNotAllowed(request.method);
    }
  });
}
