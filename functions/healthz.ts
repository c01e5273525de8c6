import { app } from '../shared/app';
import { registerHttp } from './register';

registerHttp('healthz', { route: 'healthz', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: (request, context) => app().handlers.health(request, context) });
