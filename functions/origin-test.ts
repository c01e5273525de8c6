import { app } from '../shared/app';
import { registerHttp } from './register';

registerHttp('originTest', { route: 'v1/accounts/origins/{id}/test', methods: ['POST'], authLevel: 'anonymous', handler: (request, context) => app().handlers.originTest(request, context) });
