import { app } from '../shared/app';
import { registerHttp } from './register';

registerHttp('namedTransformations', {
  route: 'v1/named-transformations/{id?}',
  methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: (request, context) => app().handlers.namedTransformations(request, context),
});
