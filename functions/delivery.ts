import { app } from '../shared/app';
import { registerHttp } from './register';

// The catch-all, named to sort last: the Functions host tries routes in function-name order, so the management and
// health functions must come first.
registerHttp('zDelivery', { route: '{*path}', methods: ['GET', 'HEAD', 'OPTIONS'], authLevel: 'anonymous', handler: (request, context) => app().handlers.delivery(request, context) });
