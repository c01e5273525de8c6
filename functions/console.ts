import { app } from '../shared/app';
import { registerHttp } from './register';

// Named to sort before the delivery catch-all, which the Functions host tries last.
registerHttp('console', {
  route: 'console/{*file}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: (request, context) => app().handlers.console(request, context),
});
