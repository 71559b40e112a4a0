/**
 * The openspf RFC 7208 suite (pyspf's rfc7208-tests.yml, 203 tests), every test run through checkSpf() against
 * the test DNS server on loopback with mailtrust's real resolver.
 */
import { runOpenspfSuite } from './openspf-driver.js';

runOpenspfSuite('rfc7208-tests.yml', 'rfc7208', 203);
