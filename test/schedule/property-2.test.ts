// Property tests, second half of the zones.
import { propertySuite } from '../support/property.js';

propertySuite(['Asia/Kolkata', 'Australia/Eucla', 'Pacific/Honolulu', 'Australia/Lord_Howe']);
