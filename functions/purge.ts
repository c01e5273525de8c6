import { managePurge } from '../shared/manage/purge';
import { registerHttp } from './register';

registerHttp('purge', { route: 'v1/files/purge/{requestId?}', methods: ['GET', 'POST'], authLevel: 'anonymous', handler: managePurge });
