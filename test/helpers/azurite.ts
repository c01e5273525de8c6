/** Tests use a fresh in-memory Azurite on free loopback ports. */
export { freePort, startEphemeralAzurite as startTestAzurite } from '../../dev/azurite';
