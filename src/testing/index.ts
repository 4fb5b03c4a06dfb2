export {
  FakeKlarna,
  installFakeKlarna,
  klarnaError,
  type EmitRecord,
  type FakeJourney,
  type FakeKlarnaOptions,
  type FakePartName,
  type InitiateRecord,
  type MountRecord,
} from './fake-klarna.js';
export { pressKlarnaButton, waitForKlarna } from './helpers.js';
