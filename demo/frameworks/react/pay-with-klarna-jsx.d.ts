// Typed JSX for <pay-with-klarna> in React 19: attributes as props, the element's events as
// on<event-name> props (React 19 adds a listener for any on* prop on a custom element).
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type {
  KlarnaAbortEvent,
  KlarnaCompleteEvent,
  KlarnaErrorEvent,
  KlarnaInitiateEvent,
  KlarnaPresentationEvent,
  PayWithKlarna,
} from '../../../src/index.js'; // in your app: from 'pay-with-klarna'

type PayWithKlarnaProps = DetailedHTMLProps<HTMLAttributes<PayWithKlarna>, PayWithKlarna> &
  Partial<Pick<PayWithKlarna, 'initiate' | 'initiateData' | 'requestInit' | 'strings'>> & {
    'client-id': string;
    'partner-account-id'?: string;
    amount?: number;
    currency: string;
    locale?: string;
    intents?: string;
    'initiate-url'?: string;
    'initiation-mode'?: string;
    name?: string;
    value?: string;
    selected?: boolean;
    disabled?: boolean;
    'onklarna-presentation'?: (event: KlarnaPresentationEvent) => void;
    'onklarna-initiate'?: (event: KlarnaInitiateEvent) => void;
    'onklarna-complete'?: (event: KlarnaCompleteEvent) => void;
    'onklarna-abort'?: (event: KlarnaAbortEvent) => void;
    'onklarna-error'?: (event: KlarnaErrorEvent) => void;
  };

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'pay-with-klarna': PayWithKlarnaProps;
    }
  }
}
