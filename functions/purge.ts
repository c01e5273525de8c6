import { app } from '../shared/app';
import { registerHttp } from './register';

registerHttp('purge', { route: 'v1/files/purge/{requestId?}', methods: ['GET', 'POST'], authLevel: 'anonymous', handler: (request, context) => app().handlers.purge(request, context) });
