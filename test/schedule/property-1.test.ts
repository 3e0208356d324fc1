// Property tests, first half of the zones (split in two files so the two CI cores share them).
import { propertySuite } from '../support/property.js';

propertySuite(['UTC', 'Asia/Tokyo', 'America/New_York', 'Pacific/Chatham']);
