import { mount } from 'svelte';
import './styles/main.scss';
import App from './App.svelte';
import { install as installDesktop } from './lib/desktop';

// nhsuk-frontend styles some components differently when JavaScript runs.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');

// Before mounting, so a text size chosen in the desktop window applies to the first paint.
installDesktop();

const target = document.getElementById('app');
if (!target) throw new Error('missing #app element');

export default mount(App, { target });
