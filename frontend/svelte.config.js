// Component <style> blocks go to the CSS file, never inline (strict CSP).
export default {
  compilerOptions: {
    css: 'external',
    // nhsuk responsive tables set explicit table roles on purpose: their CSS
    // changes `display`, which drops the implicit roles in some browsers.
    warningFilter: (w) => w.code !== 'a11y_no_redundant_roles',
  },
};
