import { mount } from 'svelte';
import 'pay-with-klarna/define';
import type {} from 'pay-with-klarna/svelte'; // the element's attributes and typed on<event> handlers, for svelte-check
import Checkout from './Checkout.svelte';

mount(Checkout, { target: document.getElementById('app')! });
