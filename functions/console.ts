import { serveConsole } from '../shared/console/serve';
import { settings } from '../shared/settings';
import { registerHttp } from './register';

// Named to sort before the delivery catch-all, which the Functions host tries last.
registerHttp('console', {
  route: 'console/{*file}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: serveConsole(() => settings().CONSOLE_ENABLED),
});
