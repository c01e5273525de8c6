import { deliver } from '../shared/delivery/handler';
import { registerHttp } from './register';

// Catch-all: the host matches the more specific management and health routes first.
registerHttp('zDelivery', { route: '{*path}', methods: ['GET', 'HEAD', 'OPTIONS'], authLevel: 'anonymous', handler: deliver });
