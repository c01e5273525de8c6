import { manageUrlEndpoints } from '../shared/manage/url-endpoints';
import { registerHttp } from './register';

registerHttp('urlEndpoints', {
  route: 'v1/accounts/url-endpoints/{id?}',
  methods: ['GET', 'POST', 'PUT', 'DELETE'],
  authLevel: 'anonymous',
  handler: manageUrlEndpoints,
});
