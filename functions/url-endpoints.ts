import { app } from '../shared/app';
import { registerHttp } from './register';

registerHttp('urlEndpoints', {
  route: 'v1/accounts/url-endpoints/{id?}',
  methods: ['GET', 'POST', 'PUT', 'DELETE'],
  authLevel: 'anonymous',
  handler: (request, context) => app().handlers.urlEndpoints(request, context),
});
