import { createApp } from 'vue';
import 'pay-with-klarna/define';
import Checkout from './Checkout.vue';

createApp(Checkout).mount('#app');
