import { manageOrigins } from '../shared/manage/origins';
import { registerHttp } from './register';

registerHttp('origins', {
  route: 'v1/accounts/origins/{id?}',
  methods: ['GET', 'POST', 'PUT', 'DELETE'],
  authLevel: 'anonymous',
  handler: manageOrigins,
});
