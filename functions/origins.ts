import { app } from '../shared/app';
import { registerHttp } from './register';

registerHttp('origins', {
  route: 'v1/accounts/origins/{id?}',
  methods: ['GET', 'POST', 'PUT', 'DELETE'],
  authLevel: 'anonymous',
  handler: (request, context) => app().handlers.origins(request, context),
});
